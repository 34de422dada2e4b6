// expect: vulnerable open_redirect CWE-601
// model: javascript/electron.json
const { ipcMain, shell } = require('electron');
ipcMain.on('open-link', (_event, url) => {
  shell.openExternal(url + '');
});
