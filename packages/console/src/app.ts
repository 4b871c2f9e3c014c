/**
 * The console's entry point: public/index.html loads `./app.js` as a module. Every module that
 * touches the DOM lives under browser/ (the repository's tests program type-checks the rest
 * without the DOM's types).
 */
import './browser/main.js';
