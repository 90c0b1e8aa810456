import { randomUUID } from 'node:crypto';

/** Record ids are random UUIDs: unguessable, so an id alone reveals nothing about other owners. */
export function newId(): string {
  return randomUUID();
}
