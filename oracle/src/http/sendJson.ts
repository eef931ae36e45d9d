// Writes a JSON answer directly on the response: what `res.json` sends for a POST (Content-Type
// application/json; charset=utf-8, Content-Length; ETag is off in this app) without express's
// send() path (charset and mime lookups, freshness checks), which mattered on the hot route.
import type { Response } from "express";

export function sendJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.setHeader("Content-Length", Buffer.byteLength(text));
  res.end(text);
}
