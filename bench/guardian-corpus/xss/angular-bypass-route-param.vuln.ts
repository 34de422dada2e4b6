// expect: vulnerable xss CWE-79
import { Component, OnInit } from '@angular/core';
import { ActivatedRoute } from '@angular/router';
import { DomSanitizer, SafeHtml } from '@angular/platform-browser';

@Component({ selector: 'app-banner', template: '<div [innerHTML]="banner"></div>' })
export class BannerComponent implements OnInit {
  banner: SafeHtml | undefined;

  constructor(
    private readonly activatedRoute: ActivatedRoute,
    private readonly domSanitizer: DomSanitizer,
  ) {}

  ngOnInit(): void {
    const headline: string = this.activatedRoute.snapshot.queryParams['headline'] ?? '';
    this.banner = this.domSanitizer.bypassSecurityTrustHtml(`<h2>${headline}</h2>`);
  }
}
