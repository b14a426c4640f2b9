// Loads every command module; each registers itself with registerCommand().
// Add one import line per command.
import './broker-command.js';
import './checkpoint-command.js';
import './relay-command.js';
import './dev-command.js';
import './invoke-command.js';
import './admin/topics-command.js';
import './admin/subscriptions-command.js';
import './admin/namespaces-command.js';
import './provision-command.js';
export {};
