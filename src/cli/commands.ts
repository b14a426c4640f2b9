// Loads every command module; each registers itself with registerCommand().
// Add one import line per command.
import './broker-command.js';
import './checkpoint-command.js';
import './relay-command.js';
import './dev-command.js';
import './invoke-command.js';
export {};
