interface PingableStore {
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * An embedded store's readiness on a nearly full disk: `open(minFreeDiskBytes)`
 * opens the same file with that threshold (undefined: the default). Asking
 * for more space than any disk has stands in for a full one.
 */
export async function expectPingFailsOnNearlyFullDisk(
  open: (minFreeDiskBytes?: number) => PingableStore,
): Promise<void> {
  const roomy = open();
  const nearlyFull = open(Number.MAX_SAFE_INTEGER);
  try {
    await expect(roomy.ping()).resolves.toBeUndefined();
    await expect(nearlyFull.ping()).rejects.toThrow(/^disk nearly full: /);
  } finally {
    await Promise.all([roomy.close(), nearlyFull.close()]);
  }
}
