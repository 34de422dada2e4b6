// expect: vulnerable xss CWE-79
// model: javascript/jquery.json
function chop(text) {
  return text.substring(1);
}
$('#greeting').append('<b>' + decodeURIComponent(chop(location.hash)) + '</b>');
