// Every page module, imported for its routes.
import "./login.js";
import "./village.js";
import "./inbox.js";
