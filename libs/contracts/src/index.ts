export * from './ai-tasks';
export * from './retrieval';
export * from './gateway-api';
