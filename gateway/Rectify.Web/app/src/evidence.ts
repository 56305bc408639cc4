// Photos as evidence (佐证照片): uploaded from the phone in chunks the server acknowledges, so a dropped connection
// resumes where the server stopped; shown as thumbnails that open the full photo.
import { api, ApiError } from "./api.js";
import { session } from "./session.js";
import { h } from "./ui.js";

export interface Evidence {
  evidenceId: string; measureId: string; fileName: string; contentType: string; sizeBytes: string;
  width: number; height: number; uploadedBy: string; uploadedAt: string;
}
interface Upload { uploadId: string; receivedBytes?: string; chunkBytes: number; sizeBytes?: string; }

/** The longest side a photo keeps: a phone's 4000-px photo is shrunk on the phone before it is sent. */
const MAX_SIDE = 2560;
const RETRIES = 5;

/** Uploads one photo to a measure; onProgress(0..1) as the server acknowledges chunks. Returns the stored evidence. */
export async function uploadPhoto(measureId: string, file: File, onProgress: (fraction: number) => void): Promise<Evidence> {
  const photo = await downscale(file);
  const bytes = new Uint8Array(await photo.arrayBuffer());
  const sha256 = hex(await crypto.subtle.digest("SHA-256", bytes));
  const announce = { measureId, fileName: file.name || "photo.jpg", contentType: photo.type, sizeBytes: String(bytes.length), sha256 };
  let upload = await retry(() => api<Upload>("measures", "BeginEvidenceUpload", announce));
  let received = Number(upload.receivedBytes ?? 0);
  onProgress(received / bytes.length);
  while (received < bytes.length) {
    const chunk = bytes.subarray(received, Math.min(bytes.length, received + upload.chunkBytes));
    try {
      upload = await api<Upload>("measures", "PutEvidenceChunk", { uploadId: upload.uploadId, offset: String(received), data: base64(chunk) });
    } catch (e) {
      // Lost on the way or refused for the offset: ask the server what it holds and go on from there.
      if (e instanceof ApiError && e.code !== 9 && e.code !== 14) throw e;
      await pause(received);
      upload = await retry(() => api<Upload>("measures", "BeginEvidenceUpload", announce));
    }
    received = Number(upload.receivedBytes ?? 0);
    onProgress(received / bytes.length);
  }
  return await retry(() => api<Evidence>("measures", "CompleteEvidenceUpload", { uploadId: upload.uploadId }));
}

/** A measure's photos as thumbnails; a tap opens the full photo. */
export async function evidenceGallery(measureId: string): Promise<HTMLElement> {
  const list = await api<{ evidence?: Evidence[] }>("measures", "ListEvidence", { measureId });
  const photos = list.evidence ?? [];
  const gallery = h("div", { class: "evidence-gallery", "data-measure": measureId });
  if (!photos.length) gallery.append(h("p", { class: "muted" }, "暂无照片"));
  for (const photo of photos) {
    const img = h("img", { alt: photo.fileName, class: "evidence-thumb", "data-evidence": photo.evidenceId, loading: "lazy" });
    const button = h("button", { type: "button", class: "evidence-open", title: `查看原图：${photo.fileName}` }, img);
    button.addEventListener("click", () => void openFull(photo));
    gallery.append(button);
    void content(photo.evidenceId, true).then(url => { img.src = url; }).catch(() => { img.alt = `${photo.fileName}（缩略图加载失败）`; });
  }
  return gallery;
}

async function openFull(photo: Evidence): Promise<void> {
  const url = await content(photo.evidenceId, false);
  const close = h("button", { type: "button", class: "evidence-close" }, "关闭");
  const overlay = h("div", { class: "evidence-full", role: "dialog", "aria-label": photo.fileName },
    h("img", { src: url, alt: photo.fileName }), close);
  const dismiss = () => { overlay.remove(); URL.revokeObjectURL(url); };
  close.addEventListener("click", dismiss);
  overlay.addEventListener("click", e => { if (e.target === overlay) dismiss(); });
  document.body.append(overlay);
}

/** GetEvidenceContent answers with the image itself (google.api.HttpBody), so it is read as a blob, not JSON. */
async function content(evidenceId: string, thumbnail: boolean, retried = false): Promise<string> {
  const token = session.accessToken();
  const response = await fetch("/v1/measures/GetEvidenceContent", {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ evidenceId, thumbnail }),
  });
  if (response.status === 401 && !retried && (await session.refresh())) return content(evidenceId, thumbnail, true);
  if (!response.ok) throw new ApiError(2, `照片加载失败（HTTP ${response.status}）`, [], response.status);
  return URL.createObjectURL(await response.blob());
}

/** A JPEG no larger than MAX_SIDE on its longest side; a smaller photo is sent as it is. */
async function downscale(file: File): Promise<Blob> {
  let bitmap: ImageBitmap;
  try { bitmap = await createImageBitmap(file, { imageOrientation: "from-image" }); }
  catch { return file; } // not decodable here: the server says what is wrong with it
  const side = Math.max(bitmap.width, bitmap.height);
  if (side <= MAX_SIDE && ["image/jpeg", "image/png", "image/webp"].includes(file.type)) { bitmap.close(); return file; }
  const scale = Math.min(1, MAX_SIDE / side);
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d")!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return await new Promise<Blob>((resolve, reject) => canvas.toBlob(b => (b ? resolve(b) : reject(new Error("照片压缩失败"))), "image/jpeg", 0.85));
}

async function retry<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try { return await call(); }
    catch (e) {
      const transient = !(e instanceof ApiError) || e.code === 14 || e.code === 4;
      if (!transient || attempt >= RETRIES) throw e;
      await pause(attempt);
    }
  }
}

function pause(seed: number): Promise<void> { return new Promise(r => setTimeout(r, 500 + (seed % 7) * 100)); }

function hex(buffer: ArrayBuffer): string { return [...new Uint8Array(buffer)].map(b => b.toString(16).padStart(2, "0")).join(""); }

function base64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}
