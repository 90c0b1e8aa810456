import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };
