// The page's own request signing, as TikTok's web app signs its item-list calls: the msToken
// cookie goes into the query, and X-Bogus is computed over the query exactly as sent (not decoded)
// and the token. The simulator checks the same function (tiktok/simulator/signing.py); unsigned
// calls get an empty 200 body. Real pages expose the signer as window.byted_acrawler.frontierSign(url),
// which returns {"X-Bogus": ...} for the URL it is given (carcabot/tiktok-signature#131), and
// clients such as TikTok-Api wait for it and append its X-Bogus themselves (issue 12).
function fnv1a(text) {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

function readCookie(name) {
  const hit = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
  return hit ? decodeURIComponent(hit.slice(name.length + 1)) : "";
}

function frontierSign(url) {
  const query = url.split("#")[0].split("?").slice(1).join("?");
  const msToken = readCookie("msToken");
  return {"X-Bogus": fnv1a(query + "|" + msToken) + fnv1a(msToken + "|" + query)};
}

window.byted_acrawler = {frontierSign};

function signedUrl(path, params) {
  const query = new URLSearchParams({...params, msToken: readCookie("msToken")}).toString();
  return path + "?" + query + "&X-Bogus=" + frontierSign(path + "?" + query)["X-Bogus"];
}
