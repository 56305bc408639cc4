// Every page module, imported for its routes.
import "./login.js";
import "./overview.js";
