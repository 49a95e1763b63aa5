/** Loads every built-in into BUILTINS (each module registers at import). */
import './operators.js';
import './math.js';
import './strings.js';
import './datetime.js';
import './json.js';
import './arrays.js';
import './system.js';
import './aggregates.js';

export { BUILTINS } from './registry.js';
