// The file osls loads (`plugins: [danube-connect-serverless/serverless]`). osls require()s its
// plugins synchronously, so this is CommonJS; the plugin itself is TypeScript, compiled on load
// by tsx (scoped to this require), so the package needs no build step.
const { join } = require('node:path');
const tsx = require('tsx/cjs/api');

const { DanubeServerlessPlugin } = tsx.require('./plugin.ts', __filename);
const packageRoot = join(__dirname, '..', '..');

module.exports = class DanubeServerless extends DanubeServerlessPlugin {
  constructor(serverless, options, utils) {
    super(serverless, options, utils, packageRoot);
  }
};
