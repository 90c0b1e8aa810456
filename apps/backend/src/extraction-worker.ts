import { serveExtractionRequests } from '@docuthinker/documents';

// Entry point of the text-extraction worker threads that main.ts starts
// through ExtractionPool; it is built next to main.js.
serveExtractionRequests();
