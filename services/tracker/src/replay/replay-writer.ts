import { loadSerialDigester, ManifestStore } from '@interco/bus';
import { ManifestSerials } from '../projection/manifest-serials.js';
import type { StoreWriterOptions } from '../projection/store-writer.js';
import type { ReplayOptions } from './rebuild.js';

/** The store writer of a rebuild or replay: serials indexed from the manifests, no cache. */
export async function replayWriter(
  options: Pick<ReplayOptions, 'nc' | 'names' | 'store' | 'box' | 'logger'>,
): Promise<StoreWriterOptions> {
  const manifests = await ManifestStore.open(options.nc, options.names, options.box);
  return {
    store: options.store,
    serials: new ManifestSerials(
      manifests,
      await loadSerialDigester(options.nc, options.names, options.box, {
        onWaiting: (message) => options.logger.warn(message),
      }),
    ),
    logger: options.logger,
  };
}
