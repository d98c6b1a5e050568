/** Imports every capability so that it registers its service wiring (see extendServices). */
import './analysis/index.js';
import './audit/index.js';
import './workflow/index.js';

import './events/index.js';
import './sync/index.js';
export {};
