// How deployed functions and the relay reach Danube lives with the runtime adapters, which the
// functions use too; the plugin's public face keeps offering the same names.
export {
  awsSecretReader,
  awsSecretReaderFor,
  danubeClientFromEnv,
  danubeConnectionFromEnv,
  resolveDanubeConnection,
  type DanubeConnection,
  type DanubeConnectionSettings,
  type SecretReader,
} from '../runtime/connection.js';
