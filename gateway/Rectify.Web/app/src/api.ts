// The public JSON API (gRPC JSON transcoding; OpenAPI at /openapi/v1.json): every RPC is POST /v1/{service}/{Method}
// with the request as the body, plus the gateway's GET progress routes. Errors arrive as google.rpc.Status.
import { session } from "./session.js";

export interface FieldViolation { field: string; description: string; }

/** A refused call: the gRPC code, the server's message, and the fields it named. */
export class ApiError extends Error {
  constructor(readonly code: number, message: string, readonly violations: FieldViolation[], readonly httpStatus: number) {
    super(message);
  }
  get denied(): boolean { return this.code === 7 || this.httpStatus === 403; }
  get notFound(): boolean { return this.code === 5 || this.httpStatus === 404; }
}

/** Calls one RPC of a service: api("measures", "ListMeasures", { unitCode }). */
export function api<T>(service: string, method: string, body: object = {}): Promise<T> {
  return send<T>(`/v1/${service}/${method}`, { method: "POST", body: JSON.stringify(body) });
}

/** A GET route of the gateway, e.g. /v1/dashboard/360731000000/2026/10. */
export function get<T>(path: string): Promise<T> {
  return send<T>(path, { method: "GET" });
}

/** Uploads a file as the request's body (streamed by the gateway to the service), e.g. a filled template to /v1/documents/imports/plan?…. */
export function upload<T>(path: string, file: Blob): Promise<T> {
  return send<T>(path, { method: "POST", body: file, headers: { "Content-Type": "application/octet-stream" } });
}

/**
 * Downloads a document route (/v1/documents/…) with the bearer token, which a plain link cannot send, and saves it
 * under the name the server gave (Content-Disposition), e.g. 于都县整顿台账-20261125.xlsx. Returns that name.
 */
export async function download(path: string): Promise<string> {
  const response = await call(path, { method: "GET" });
  if (!response.ok) {
    const text = await response.text();
    throw toError(text ? JSON.parse(text) : {}, response.status);
  }
  const name = fileName(response.headers.get("Content-Disposition")) ?? path.split("/").pop() ?? "download";
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}

/** The file name of a Content-Disposition header: RFC 5987 filename* (UTF-8, for Chinese names) before filename. */
function fileName(disposition: string | null): string | undefined {
  if (!disposition) return undefined;
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (encoded) return decodeURIComponent(encoded[1]);
  return /filename="?([^";]+)"?/i.exec(disposition)?.[1];
}

async function send<T>(path: string, init: RequestInit): Promise<T> {
  const response = await call(path, init);
  const text = await response.text();
  const json = text ? JSON.parse(text) : {};
  if (!response.ok) throw toError(json, response.status);
  return json as T;
}

/** One request with the session's bearer token, refreshed once on 401; a second 401 signs the person out. */
async function call(path: string, init: RequestInit, retried = false): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has("Content-Type") && typeof init.body === "string") headers.set("Content-Type", "application/json");
  const token = session.accessToken();
  if (token) headers.set("Authorization", `Bearer ${token}`);
  const response = await fetch(path, { ...init, headers });
  if (response.status === 401 && !retried && (await session.refresh())) return call(path, init, true);
  if (response.status === 401) {
    session.clear();
    location.hash = "#/login";
  }
  return response;
}

function toError(status: { code?: number; message?: string; details?: Array<Record<string, unknown>> }, httpStatus: number): ApiError {
  const violations: FieldViolation[] = [];
  for (const detail of status.details ?? []) {
    const list = detail["fieldViolations"] as FieldViolation[] | undefined;
    if (list) violations.push(...list);
  }
  const code = status.code ?? 2;
  // The API speaks English to machines; a person reads the Chinese lead first, then the server's own words.
  const lead = codeZh[code] ?? "请求失败";
  return new ApiError(code, status.message ? `${lead}：${status.message}` : `${lead}（HTTP ${httpStatus}）`, violations, httpStatus);
}

const codeZh: Record<number, string> = {
  3: "填写有误", 5: "未找到", 6: "已存在", 7: "无权操作", 8: "操作过于频繁，请稍后再试", 9: "当前状态不允许此操作",
  10: "数据已被他人修改，请刷新后重试", 14: "服务暂不可用，请稍后重试", 16: "登录已失效或用户名、密码错误", 4: "请求超时，请重试",
};

/** Reads a server-sent-events stream with the bearer token (EventSource cannot send one), calling back per event. */
export async function stream(path: string, onData: (data: string) => void, signal: AbortSignal): Promise<void> {
  const token = session.accessToken();
  const response = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}`, Accept: "text/event-stream" } : {}, signal });
  if (!response.ok || !response.body) throw new ApiError(2, `实时更新不可用（HTTP ${response.status}）`, [], response.status);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event.split("\n").filter(l => l.startsWith("data:")).map(l => l.slice(5).trimStart()).join("\n");
      if (data) onData(data);
    }
  }
}
