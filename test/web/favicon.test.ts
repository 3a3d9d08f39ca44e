/**
 * The pages name their icon, so a browser finds one instead of logging a 404
 * for /favicon.ico; /favicon.ico answers too, for clients that ask anyway.
 */
import t from 'tap'
import { buildTestApp } from '../helpers/app.js'

void t.test('every page links the icon, which is served as SVG', async (t) => {
  const app = await buildTestApp(t)
  const pages = ['/', '/?lang=en', '/playground', '/criteria/inherited-thrombocytopenia', '/criteria/no-such-indication']
  for (const url of pages) {
    const res = await app.inject({ url })
    t.match(res.body, '<link rel="icon" href="/static/web/favicon.svg" type="image/svg+xml">', `${url} names the icon`)
  }
  for (const url of ['/static/web/favicon.svg', '/favicon.ico']) {
    const icon = await app.inject({ url })
    t.equal(icon.statusCode, 200, url)
    t.equal(icon.headers['content-type'], 'image/svg+xml', `${url}: SVG`)
    t.match(icon.body, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, `${url}: the icon`)
  }
})
