// What osls loads for `plugins: [danube-connect-serverless/serverless]`. The build bundles this
// file as CommonJS (osls require()s its plugins), two folders below the package root, where
// `infra/` and the relay's prebuilt Lambda bundle ship.
import { join } from 'node:path';
import { DanubeServerlessPlugin, type ServerlessLike } from './plugin.js';

export default class DanubeServerless extends DanubeServerlessPlugin {
  constructor(serverless: ServerlessLike, options?: Record<string, unknown>, utils?: ConstructorParameters<typeof DanubeServerlessPlugin>[2]) {
    super(serverless, options, utils, join(__dirname, '..', '..'));
  }
}
