// The pages' entry: each page module registers its routes; the router renders the one in the address.
import { render } from "./router.js";
import { renderBar } from "./shell.js";
import "./pages/index.js";

renderBar();
window.addEventListener("hashchange", () => void render());
void render();
