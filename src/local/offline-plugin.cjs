'use strict';
/**
 * Loaded by serverless.yml for `sls offline` only: once the functions are
 * built and the servers listen, it stops the esbuild service process that
 * serverless-esbuild leaves running, which otherwise keeps about 900 MB for
 * the life of the local stack. A rebuild (a handler changed under watch)
 * starts a new one.
 */
class SmaOfflinePlugin {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'after:offline:start:init': () => this.stopEsbuild(),
    };
  }

  async stopEsbuild() {
    try {
      // The copy serverless-esbuild loads.
      const esbuild = require(require.resolve('esbuild', { paths: [require.resolve('serverless-esbuild')] }));
      await esbuild.stop();
    } catch {
      // No esbuild service to stop.
    }
  }
}

module.exports = SmaOfflinePlugin;
