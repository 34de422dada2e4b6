// expect: vulnerable insecure_transport CWE-319
async function login(username, password) {
  const res = await fetch('http://auth.example.com/api/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return res.json();
}
export default login;
