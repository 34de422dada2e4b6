// expect: vulnerable xss CWE-79
import { useEffect, useRef } from 'react';

export function Announcement() {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const message = new URLSearchParams(location.search).get('msg') ?? '';
    if (box.current) box.current.innerHTML = message;
  }, []);
  return <div ref={box} />;
}
