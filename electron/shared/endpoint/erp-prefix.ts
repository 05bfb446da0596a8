/** The tenant settings derived from an ERP login address (NOTES.md, 租户影像配置). */
export interface ErpPrefix {
  /** 对接业务系统 → ERP 前缀地址: the login address + `api/`. */
  prefix: string;
  /** 星瀚收票助手 service domain: the login address itself. */
  serviceDomain: string;
  /** Whether the address is a private deployment path ending in /ierp/. */
  ierp: boolean;
}

/**
 * Computes the ERP prefix address: `http://172.0.0.1:8080/ierp/` → `http://172.0.0.1:8080/ierp/api/`,
 * `https://xxx.kdcloud.com/` → `https://xxx.kdcloud.com/api/`. Returns null for anything that is
 * not an http(s) address.
 */
export function computeErpPrefix(loginAddress: string): ErpPrefix | null {
  let url: URL;
  try {
    url = new URL(loginAddress.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  // A pasted login page (…/ierp/index.html) still belongs to the /ierp deployment.
  const ierpPath = /^(.*?\/ierp)(\/|$)/i.exec(url.pathname)?.[1];
  const ierp = ierpPath !== undefined;
  const base = `${url.origin}${ierpPath ?? ''}/`;
  return { prefix: `${base}api/`, serviceDomain: base, ierp };
}
