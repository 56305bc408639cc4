// Every page module, imported for its routes.
import "./login.js";
import "./township.js";
import "./plan.js";
import "./measure.js";
import "./report.js";
