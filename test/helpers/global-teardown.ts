export default async function globalTeardown(): Promise<void> {
  await globalThis.__SMA_DYNAMODB_STOP__?.();
}
