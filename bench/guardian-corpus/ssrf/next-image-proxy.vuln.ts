// expect: vulnerable ssrf CWE-918
import { NextRequest, NextResponse } from 'next/server';

export async function GET(request: NextRequest) {
  const src = request.nextUrl.searchParams.get('src')!;
  const upstream = await fetch(src);
  return new NextResponse(upstream.body, { headers: { 'content-type': upstream.headers.get('content-type') ?? '' } });
}
