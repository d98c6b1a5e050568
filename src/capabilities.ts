/** Imports every capability so that it registers its service wiring (see extendServices). */
export {};
