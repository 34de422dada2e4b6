// expect: safe xss CWE-79
import { Component, OnInit } from '@angular/core';
import { ActivatedRoute } from '@angular/router';

@Component({ selector: 'app-banner', template: '<h2>{{ headline }}</h2>' })
export class BannerComponent implements OnInit {
  headline = '';

  constructor(private readonly activatedRoute: ActivatedRoute) {}

  ngOnInit(): void {
    // interpolation escapes the text; nothing is marked as trusted markup
    this.headline = this.activatedRoute.snapshot.queryParams['headline'] ?? '';
  }
}
