/**
 * @interco/erpnext-sim: a simulator of ERPNext sites (Frappe REST API v1) with fault injection,
 * for Interco's tests, demo and benchmarks.
 */
export { FaultConfig, FaultMatch, FaultRule } from './faults/fault-config.schema.js';
export type { ApiUser } from './frappe/context.js';
export type { DatabaseSnapshot, Doc } from './frappe/database.js';
export { pythonJsonDumps } from './frappe/python-json.js';
export { documentCounts, INSPECTION_PREFIX, registerInspectionRoutes } from './http/inspection-routes.js';
export { buildSiteApp, type SiteAppOptions } from './http/site-app.js';
export {
  DEFAULT_HOST,
  type RunningSite,
  type Simulator,
  SiteSetupError,
  type StartSimulatorOptions,
  startSimulator,
} from './sim/simulator.js';
export {
  DEMO_COMPANY_A,
  DEMO_COMPANY_B,
  DEMO_ITEMS,
  DEMO_SUPPLIER,
  DEMO_TRANSFER_PARTIES,
  type DemoSitesOptions,
  demoSites,
  fiscalYearRecords,
  randomApiUser,
} from './sites/demo-sites.js';
export { type RequestCounts, Site, type SiteSetup } from './sites/site.js';
export {
  parseRecordsBody,
  parseSitesFile,
  RecordsBody,
  type SiteConfig,
  SiteEntry,
  SitesFile,
  SitesFileError,
  SiteUserEntry,
} from './sites/sites-file.schema.js';
export {
  readStateFile,
  type SiteState,
  StateFile,
  StateFileError,
  StateFileWriter,
  writeStateFile,
} from './sites/state-file.js';
