/** `tinylcm <command>`: the process entry of the device-side CLI (commands in commands.ts). */
import { cli } from './commands.ts';

process.exitCode = await cli(process.argv.slice(2));
