// Sign-in with the account the county's admin created (Identity: five wrong passwords lock it for a while).
import { api } from "../api.js";
import { route, go, home } from "../router.js";
import { session } from "../session.js";
import { h, show, showError } from "../ui.js";
import { renderBar } from "../shell.js";

route("/login", () => {
  session.clear();
  renderBar();
  const form = h("form", { class: "card login", id: "login" },
    h("h2", {}, "登录"),
    h("label", {}, "用户名", h("input", { name: "userName", autocomplete: "username", required: true, "data-field": "user_name" })),
    h("label", {}, "密码", h("input", { name: "password", type: "password", autocomplete: "current-password", required: true, "data-field": "password" })),
    h("button", { type: "submit" }, "登录"));
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      const tokens = await api<Parameters<typeof session.save>[0]>("identity", "Login", { userName: data.get("userName"), password: data.get("password") });
      session.save(tokens);
      renderBar();
      go(tokens.mustChangePassword ? "/password" : home());
    } catch (e) {
      showError(form, e);
    }
  });
  show(form);
}, { anonymous: true });

// An admin's reset, or a first sign-in: the person sets a password of their own before going on.
route("/password", () => {
  const form = h("form", { class: "card login", id: "password" },
    h("h2", {}, "修改密码"),
    h("label", {}, "当前密码", h("input", { name: "current", type: "password", autocomplete: "current-password", required: true, "data-field": "current_password" })),
    h("label", {}, "新密码", h("input", { name: "next", type: "password", autocomplete: "new-password", required: true, "data-field": "new_password" })),
    h("button", { type: "submit" }, "保存"));
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      await api("identity", "ChangePassword", { currentPassword: data.get("current"), newPassword: data.get("next") });
      // Changing the password revokes every refresh token: sign in again with the new one.
      go("/login");
    } catch (e) {
      showError(form, e);
    }
  });
  show(form);
});
