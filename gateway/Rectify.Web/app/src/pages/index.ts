// Every page module, imported for its routes.
import "./login.js";
