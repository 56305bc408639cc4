// A county's campaigns (整顿年度), which every page that names a target needs: one call, one shape.
import { api } from "./api.js";

export interface Campaign {
  id: string; countyCode: string; year: number; confirmed?: boolean; enteredAsHistory?: boolean;
  settings?: { findingRules?: { code: string; name?: string }[] };
}

/** A survey finding's name as the campaign's rules call it (书记空缺3个月以上), never its code on a page. */
export function findingNames(campaign: Campaign | null | undefined, codes: string[]): string {
  const rules = campaign?.settings?.findingRules ?? [];
  return codes.map(code => rules.find(r => r.code === code)?.name || code).join("；");
}

/** The county a unit belongs to: the first six digits of its code. */
export function countyOf(code: string): string { return `${code.slice(0, 6)}000000`; }

/** The campaigns of the unit's county (ListCampaigns). */
export async function campaignsOf(code: string): Promise<Campaign[]> {
  return (await api<{ campaigns?: Campaign[] }>("assessment", "ListCampaigns", { countyCode: countyOf(code) })).campaigns ?? [];
}

/** The campaign a unit works in now: its county's latest (a year's campaign runs through that year). */
export async function currentCampaign(code: string): Promise<Campaign | null> {
  return (await campaignsOf(code)).reduce<Campaign | null>((latest, c) => (!latest || c.year > latest.year ? c : latest), null);
}
