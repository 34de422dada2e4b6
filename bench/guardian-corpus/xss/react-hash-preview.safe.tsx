// expect: safe xss CWE-79
import { useEffect, useState } from 'react';

export default function Preview() {
  const [content, setContent] = useState('');
  useEffect(() => setContent(decodeURIComponent(window.location.hash.slice(1))), []);
  return <div>{content}</div>;
}
