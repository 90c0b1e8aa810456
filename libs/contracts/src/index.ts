export * from './ai-tasks';
export * from './retrieval';
export * from './gateway-api';
export * from './graph';
export * from './index-removal';
export * from './chat-stream';
export * from './analyze';
export * from './problem-document';
