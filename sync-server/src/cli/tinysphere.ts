/** `tinysphere <command>`: the process entry of the server-side CLI (commands in commands.ts). */
import { cli } from './commands.ts';

const code = await cli(process.argv.slice(2));
// `serve` keeps running; any other command (or a failed serve) ends with its exit code.
if (code !== 0 || process.argv[2] !== 'serve') process.exitCode = code;
