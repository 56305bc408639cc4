// A button that downloads a document the server makes (整顿方案, 月报, 通报 …) with the signed-in person's token,
// says which file arrived, and shows the refusal in Chinese when there is one.
import { download } from "./api.js";
import { h, toast } from "./ui.js";

export function downloadButton(id: string, text: string, path: string): HTMLButtonElement {
  const button = h("button", { type: "button", class: "secondary download", id }, text);
  button.addEventListener("click", () => {
    button.disabled = true;
    download(path)
      .then(name => { button.dataset.downloaded = name; toast(`已下载：${name}`); })
      .catch((e: unknown) => toast(e instanceof Error ? e.message : String(e), "error"))
      .finally(() => { button.disabled = false; });
  });
  return button;
}
