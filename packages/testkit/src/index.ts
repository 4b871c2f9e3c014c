export {
  checkNatsServerVersion,
  compareVersions,
  type Environment,
  type FoundBinary,
  findFerretDbBinary,
  findNatsServerBinary,
  intercoCacheDir,
  MIN_NATS_SERVER_VERSION,
  parseVersion,
  type Version,
} from './binaries.js';
export { MONGO_IMAGE, NATS_IMAGE } from './containers.js';
export { dockerEngineAnswers } from './docker.js';
export { LocalFerretDb, type LocalFerretDbOptions } from './ferretdb.js';
export { freePort } from './free-port.js';
export { httpStatus, type ProbeTarget } from './http-probe.js';
export { LocalNatsServer, type LocalNatsServerOptions } from './nats-server.js';
export { describeExit, type ProcessExit } from './server-process.js';
export { describeServer, type RunningServer, type ServerKind, startMongo, startNats } from './servers.js';
export { type MongoServerInfo, type NatsServerInfo, queryMongoServer, queryNatsServer } from './versions.js';
