// expect: safe open_redirect CWE-601
import { NextRequest, NextResponse } from 'next/server';

export function middleware(request: NextRequest) {
  const dest = request.nextUrl.searchParams.get('dest');
  if (dest) return NextResponse.redirect(new URL('/dashboard', request.url));
  return NextResponse.next();
}
