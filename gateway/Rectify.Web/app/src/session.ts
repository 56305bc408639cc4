// Who is signed in: tokens in sessionStorage (gone with the tab), the account's unit and role from the token response.
export type Role = "ROLE_VIEWER" | "ROLE_OFFICER" | "ROLE_REVIEWER" | "ROLE_ADMIN";
export type Level = "province" | "city" | "county" | "township" | "village";

export interface Account { userName: string; displayName: string; orgCode: string; role: Role; }
interface TokenResponse { accessToken: string; refreshToken: string; account: Account; mustChangePassword?: boolean; }

const KEY = "rectify.session";

interface Stored { accessToken: string; refreshToken: string; account: Account; }

function load(): Stored | null {
  const raw = sessionStorage.getItem(KEY);
  return raw ? (JSON.parse(raw) as Stored) : null;
}

/** The unit level from the 12-digit code: the last non-zero group (2 province, 2 city, 2 county, 3 township, 3 village). */
export function levelOf(code: string): Level {
  if (code.slice(9) !== "000") return "village";
  if (code.slice(6, 9) !== "000") return "township";
  if (code.slice(4, 6) !== "00") return "county";
  if (code.slice(2, 4) !== "00") return "city";
  return "province";
}

export const session = {
  account(): Account | null { return load()?.account ?? null; },
  accessToken(): string | null { return load()?.accessToken ?? null; },
  level(): Level | null { const a = load()?.account; return a ? levelOf(a.orgCode) : null; },
  /** Day-to-day writes: plans, progress, 销号, reports. */
  canWrite(): boolean { const r = load()?.account.role; return r === "ROLE_OFFICER" || r === "ROLE_REVIEWER"; },
  /** Decisions: targets, 验收, accepting or returning reports. */
  canDecide(): boolean { return load()?.account.role === "ROLE_REVIEWER"; },
  save(tokens: TokenResponse): void {
    sessionStorage.setItem(KEY, JSON.stringify({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, account: tokens.account }));
  },
  clear(): void { sessionStorage.removeItem(KEY); },
  /** A new access token for the refresh token (used once, replaced); false when the session is over. */
  async refresh(): Promise<boolean> {
    const stored = load();
    if (!stored) return false;
    const response = await fetch("/v1/identity/Refresh", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ refreshToken: stored.refreshToken }),
    });
    if (!response.ok) { this.clear(); return false; }
    this.save(await response.json());
    return true;
  },
};
