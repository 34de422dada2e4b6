// expect: safe xss CWE-79
import { useEffect, useRef } from 'react';

export function Announcement() {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const message = new URLSearchParams(location.search).get('msg') ?? '';
    if (box.current) box.current.textContent = message;
  }, []);
  return <div ref={box} />;
}
