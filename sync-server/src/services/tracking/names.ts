import { randomInt } from 'node:crypto';

// MLflow names unnamed runs "<adjective>-<noun>-<number>"; users recognise runs by these names.
const ADJECTIVES = ['able', 'bold', 'brave', 'bright', 'calm', 'clever', 'crisp', 'eager', 'fair', 'gentle', 'glad', 'keen', 'kind', 'lucky', 'merry', 'nimble', 'proud', 'quick', 'quiet', 'rare', 'shy', 'sly', 'smart', 'sunny', 'swift', 'tidy', 'vast', 'warm', 'wise', 'zesty'];
const NOUNS = ['ant', 'bass', 'bear', 'bird', 'cat', 'colt', 'crab', 'crow', 'deer', 'dove', 'duck', 'eel', 'fox', 'frog', 'goat', 'hare', 'hawk', 'jay', 'lark', 'lynx', 'mole', 'moth', 'newt', 'owl', 'panda', 'ram', 'seal', 'slug', 'swan', 'wolf'];

export function randomRunName(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}-${NOUNS[randomInt(NOUNS.length)]}-${randomInt(1000)}`;
}
