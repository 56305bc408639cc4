// Every page module, imported for its routes.
import "./login.js";
import "./review.js";
import "./target.js";
import "./township.js";
import "./plan.js";
import "./measure.js";
import "./report.js";
import "./village.js";
import "./inbox.js";
import "./overview.js";
import "./documents.js";
