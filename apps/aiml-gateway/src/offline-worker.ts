// Entry point of the offline engine's worker threads, which the engine's
// OfflineWorkerPool (piscina) starts; it is built next to main.js. It imports
// the worker task alone, not the library's index: a thread needs neither the
// stores' native modules nor the provider SDKs.
export {
  buildGraphInWorker,
  prepareChunksInWorker,
  rankPassagesInWorker,
  runOfflineWorkerTask,
} from '@docuthinker/ai-engine/offline-worker-task';
