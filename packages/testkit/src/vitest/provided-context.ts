// Keys the global setup provides to test files (vitest's provide/inject), typed for both sides.

export const NATS_URL_KEY = 'interco.natsUrl';
export const MONGO_URL_KEY = 'interco.mongoUrl';

declare module 'vitest' {
  export interface ProvidedContext {
    'interco.natsUrl': string;
    'interco.mongoUrl': string;
  }
}
