// Every page module, imported for its routes.
import "./login.js";
import "./review.js";
import "./target.js";
