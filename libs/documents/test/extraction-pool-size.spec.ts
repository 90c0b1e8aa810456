import { extractionWorkersFor } from '../src/extraction-pool-size';

describe('extractionWorkersFor', () => {
  it('runs one worker per core, 2 to 4, when nothing bounds the memory', () => {
    expect(extractionWorkersFor(undefined, 384, 1)).toBe(2);
    expect(extractionWorkersFor(undefined, 384, 2)).toBe(2);
    expect(extractionWorkersFor(undefined, 384, 16)).toBe(4);
  });

  it('runs only as many as fit at their peak: one in the seed 1024 MiB task', () => {
    expect(extractionWorkersFor(1024, 384, 2)).toBe(1);
    expect(extractionWorkersFor(2048, 384, 2)).toBe(2);
    expect(extractionWorkersFor(4096, 384, 2)).toBe(2);
    expect(extractionWorkersFor(4096, 384, 8)).toBe(4);
    // A smaller heap bound leaves room for more.
    expect(extractionWorkersFor(1536, 256, 4)).toBe(2);
  });

  it('always runs one, however little memory there is', () => {
    expect(extractionWorkersFor(512, 384, 2)).toBe(1);
    expect(extractionWorkersFor(0, 384, 2)).toBe(1);
  });
});
