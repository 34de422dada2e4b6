// expect: safe ssrf CWE-918
import { NextRequest, NextResponse } from 'next/server';

const CDN = 'https://cdn.example.com/';

export async function GET(request: NextRequest) {
  const id = request.nextUrl.searchParams.get('id') ?? '';
  if (!/^[a-f0-9]{32}$/.test(id)) return new NextResponse(null, { status: 400 });
  const upstream = await fetch(CDN + encodeURIComponent(id));
  return new NextResponse(upstream.body, { headers: { 'content-type': upstream.headers.get('content-type') ?? '' } });
}
