/** Loads every built-in into BUILTINS (each module registers at import). */
import './operators.js';
import './math.js';
import './strings.js';
import './datetime.js';
import './json.js';
import './arrays.js';
import './system.js';
import './catalog.js';
import './aggregates.js';
import './set-returning.js';
import './window.js';

export { BUILTINS } from './registry.js';
