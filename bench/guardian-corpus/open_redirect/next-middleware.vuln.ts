// expect: vulnerable open_redirect CWE-601
import { NextRequest, NextResponse } from 'next/server';

export function middleware(request: NextRequest) {
  const dest = request.nextUrl.searchParams.get('dest');
  if (dest) return NextResponse.redirect(dest);
  return NextResponse.next();
}
